"""Broken (unnormalized_inputs): tabular features in wildly different units (0.001 to 1000),
a class-based model, Adam, DataLoader."""

import torch
import torch.nn.functional as F
from torch import nn
from torch.utils.data import DataLoader, TensorDataset

torch.set_num_threads(1)
torch.manual_seed(4)
n, d = 2000, 12
z = torch.randn(n, d)
y = (z[:, :4].sum(1) > 0).long() + (z[:, 4:8].sum(1) > 0).long()  # 3 classes
units = 10.0 ** torch.arange(-3, 3).repeat(2).float()  # per-feature scale
x = z * units


class Tabular(nn.Module):
    def __init__(self):
        super().__init__()
        self.body = nn.Sequential(nn.Linear(d, 64), nn.ReLU(), nn.Linear(64, 64), nn.ReLU())
        self.head = nn.Linear(64, 3)

    def forward(self, x):
        return self.head(self.body(x))


loader = DataLoader(TensorDataset(x, y), batch_size=64, shuffle=True)
model = Tabular()
opt = torch.optim.Adam(model.parameters(), lr=1e-3)
for epoch in range(4):
    for xb, yb in loader:
        opt.zero_grad()
        loss = F.cross_entropy(model(xb), yb)
        loss.backward()
        opt.step()
    print(f"epoch {epoch}: loss {loss.item():.3f}")
