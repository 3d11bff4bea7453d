"""Broken (overfitting): a wide MLP trained full-batch for 150 epochs on 100 examples."""

import torch
from torch import nn

import trainlab

torch.set_num_threads(1)
torch.manual_seed(0)
data = trainlab.load_mnist1d()
x, y = data.x_train[:100], data.y_train[:100]
model = nn.Sequential(
    nn.Linear(40, 256), nn.ReLU(), nn.Linear(256, 256), nn.ReLU(), nn.Linear(256, 10)
)
opt = torch.optim.Adam(model.parameters(), lr=1e-3)
loss_fn = nn.CrossEntropyLoss()
for epoch in range(150):
    opt.zero_grad()
    loss = loss_fn(model(x), y)
    loss.backward()
    opt.step()
    if epoch % 10 == 9:
        model.eval()
        with torch.no_grad():
            val = loss_fn(model(data.x_test[:500]), data.y_test[:500]).item()
        model.train()
        print(f"epoch {epoch}: train {loss.item():.3f}, validation {val:.3f}")
