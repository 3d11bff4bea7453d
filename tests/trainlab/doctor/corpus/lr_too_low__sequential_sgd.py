"""Broken (lr_too_low): plain SGD at lr=1e-5."""

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
opt = torch.optim.SGD(model.parameters(), lr=1e-5)
criterion = nn.CrossEntropyLoss()
for epoch in range(4):
    perm = torch.randperm(len(x))
    for i in range(0, len(x), 50):
        idx = perm[i : i + 50]
        opt.zero_grad()
        loss = criterion(model(x[idx]), y[idx])
        loss.backward()
        opt.step()
    print(f"epoch {epoch}: loss {loss.item():.4f}")
