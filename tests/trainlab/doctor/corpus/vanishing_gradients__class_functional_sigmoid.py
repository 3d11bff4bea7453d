"""Broken (vanishing_gradients): a class-based deep net with torch.sigmoid, Adam, DataLoader."""

import torch
import torch.nn.functional as F
from torch import nn
from torch.utils.data import DataLoader, TensorDataset

import trainlab

torch.set_num_threads(1)
torch.manual_seed(5)


class Deep(nn.Module):
    def __init__(self, depth=12, width=48):
        super().__init__()
        self.inp = nn.Linear(40, width)
        self.hidden = nn.ModuleList(nn.Linear(width, width) for _ in range(depth))
        self.out = nn.Linear(width, 10)

    def forward(self, x):
        h = torch.sigmoid(self.inp(x))
        for layer in self.hidden:
            h = torch.sigmoid(layer(h))
        return self.out(h)


data = trainlab.load_mnist1d()
loader = DataLoader(
    TensorDataset(data.x_train[:1500], data.y_train[:1500]), batch_size=50, shuffle=True
)
model = Deep()
opt = torch.optim.Adam(model.parameters(), lr=1e-3)
for epoch in range(2):
    for xb, yb in loader:
        loss = F.cross_entropy(model(xb), yb)
        opt.zero_grad()
        loss.backward()
        opt.step()
    print(f"epoch {epoch}: loss {loss.item():.3f}")
