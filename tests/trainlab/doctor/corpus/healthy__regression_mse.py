"""Healthy: regression of a smooth function with MSE, SGD, manual batching, standardized inputs."""

import torch
import torch.nn.functional as F
from torch import nn

torch.set_num_threads(1)
torch.manual_seed(3)
x = torch.randn(2000, 8)
w = torch.randn(8, 1)
y = torch.sin(x @ w) + 0.1 * torch.randn(2000, 1)
x_val = torch.randn(400, 8)
y_val = torch.sin(x_val @ w)

model = nn.Sequential(nn.Linear(8, 64), nn.Tanh(), nn.Linear(64, 64), nn.Tanh(), nn.Linear(64, 1))
opt = torch.optim.SGD(model.parameters(), lr=0.05, momentum=0.9)
for epoch in range(10):
    perm = torch.randperm(2000)
    for i in range(0, 2000, 100):
        idx = perm[i : i + 100]
        opt.zero_grad()
        loss = F.mse_loss(model(x[idx]), y[idx])
        loss.backward()
        opt.step()
    with torch.no_grad():
        print(f"epoch {epoch}: validation MSE {F.mse_loss(model(x_val), y_val).item():.4f}")
