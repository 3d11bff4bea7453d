"""Broken (eval_mode_missing): validation under torch.no_grad() but without model.eval(), so
dropout stays on while evaluating."""

import torch
from torch import nn

import trainlab

torch.set_num_threads(1)
torch.manual_seed(0)
data = trainlab.load_mnist1d()
x, y = data.x_train[:2000], data.y_train[:2000]
model = nn.Sequential(
    nn.Linear(40, 128),
    nn.ReLU(),
    nn.Dropout(0.5),
    nn.Linear(128, 128),
    nn.ReLU(),
    nn.Dropout(0.5),
    nn.Linear(128, 10),
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
    with torch.no_grad():
        val = loss_fn(model(data.x_test[:500]), data.y_test[:500])
    print(f"epoch {epoch}: validation loss {val.item():.3f}")
