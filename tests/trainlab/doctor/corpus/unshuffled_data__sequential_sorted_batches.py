"""Broken (unshuffled_data): the training set is sorted by class and batched in order."""

import torch
from torch import nn

import trainlab

torch.set_num_threads(1)
torch.manual_seed(0)
data = trainlab.load_mnist1d()
order = data.y_train[:2000].argsort()
x, y = data.x_train[:2000][order], data.y_train[:2000][order]
model = nn.Sequential(
    nn.Linear(40, 100), nn.ReLU(), nn.Linear(100, 100), nn.ReLU(), nn.Linear(100, 10)
)
opt = torch.optim.SGD(model.parameters(), lr=0.05, momentum=0.9)
loss_fn = nn.CrossEntropyLoss()
for epoch in range(3):
    for i in range(0, len(x), 50):
        opt.zero_grad()
        loss = loss_fn(model(x[i : i + 50]), y[i : i + 50])
        loss.backward()
        opt.step()
    print(f"epoch {epoch}: loss {loss.item():.3f}")
