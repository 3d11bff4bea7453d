"""Broken (vanishing_gradients): ten sigmoid layers, SGD."""

import torch
from torch import nn

import trainlab

torch.set_num_threads(1)
torch.manual_seed(0)
data = trainlab.load_mnist1d()
x, y = data.x_train[:1500], data.y_train[:1500]
layers = [nn.Linear(40, 64), nn.Sigmoid()]
for _ in range(9):
    layers += [nn.Linear(64, 64), nn.Sigmoid()]
model = nn.Sequential(*layers, nn.Linear(64, 10))
opt = torch.optim.SGD(model.parameters(), lr=0.1, momentum=0.9)
loss_fn = nn.CrossEntropyLoss()
for epoch in range(3):
    perm = torch.randperm(len(x))
    for i in range(0, len(x), 50):
        idx = perm[i : i + 50]
        opt.zero_grad()
        loss = loss_fn(model(x[idx]), y[idx])
        loss.backward()
        opt.step()
    print(f"epoch {epoch}: loss {loss.item():.3f}")
