"""Broken (grad_not_zeroed): the loop never calls zero_grad()."""

import torch
from torch import nn

import trainlab

torch.set_num_threads(1)
torch.manual_seed(0)
data = trainlab.load_mnist1d()
x, y = data.x_train[:2000], data.y_train[:2000]
model = nn.Sequential(
    nn.Linear(40, 100), nn.ReLU(), nn.Linear(100, 100), nn.ReLU(), nn.Linear(100, 10)
)
opt = torch.optim.SGD(model.parameters(), lr=0.01)
loss_fn = nn.CrossEntropyLoss()
for epoch in range(3):
    perm = torch.randperm(len(x))
    for i in range(0, len(x), 50):
        idx = perm[i : i + 50]
        loss = loss_fn(model(x[idx]), y[idx])
        loss.backward()
        opt.step()
    print(f"epoch {epoch}: loss {loss.item():.3f}")
