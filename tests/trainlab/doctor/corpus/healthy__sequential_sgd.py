"""Healthy: an MLP on MNIST-1D, SGD with momentum, manual batching, evaluation in eval mode."""

import torch
from torch import nn

import trainlab

torch.set_num_threads(1)
torch.manual_seed(0)
data = trainlab.load_mnist1d()
x, y = data.x_train[:2000], data.y_train[:2000]
x_val, y_val = data.x_test[:500], data.y_test[:500]

model = nn.Sequential(
    nn.Linear(40, 100), nn.ReLU(), nn.Linear(100, 100), nn.ReLU(), nn.Linear(100, 10)
)
opt = torch.optim.SGD(model.parameters(), lr=0.05, momentum=0.9)
loss_fn = nn.CrossEntropyLoss()
for epoch in range(8):
    perm = torch.randperm(len(x))
    for i in range(0, len(x), 50):
        idx = perm[i : i + 50]
        opt.zero_grad()
        loss = loss_fn(model(x[idx]), y[idx])
        loss.backward()
        opt.step()
    model.eval()
    with torch.no_grad():
        val = loss_fn(model(x_val), y_val).item()
    model.train()
    print(f"epoch {epoch}: train loss {loss.item():.3f}, validation loss {val:.3f}")
