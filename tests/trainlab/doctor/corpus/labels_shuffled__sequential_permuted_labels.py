"""Broken (labels_shuffled): the labels are permuted separately from the inputs ("shuffling the
data"), so they no longer match; validation uses the true labels."""

import torch
from torch import nn

import trainlab

torch.set_num_threads(1)
torch.manual_seed(0)
data = trainlab.load_mnist1d()
x = data.x_train[:2000]
y = data.y_train[:2000][torch.randperm(2000)]  # bug: x is not permuted with it
model = nn.Sequential(
    nn.Linear(40, 100), nn.ReLU(), nn.Linear(100, 100), nn.ReLU(), nn.Linear(100, 10)
)
opt = torch.optim.SGD(model.parameters(), lr=0.05, momentum=0.9)
loss_fn = nn.CrossEntropyLoss()
for epoch in range(4):
    perm = torch.randperm(len(x))
    for i in range(0, len(x), 50):
        idx = perm[i : i + 50]
        opt.zero_grad()
        loss = loss_fn(model(x[idx]), y[idx])
        loss.backward()
        opt.step()
    model.eval()
    with torch.no_grad():
        val = loss_fn(model(data.x_test[:500]), data.y_test[:500]).item()
    model.train()
    print(f"epoch {epoch}: validation loss {val:.3f}")
