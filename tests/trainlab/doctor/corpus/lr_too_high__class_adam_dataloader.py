"""Broken (lr_too_high): Adam at lr=0.5, class-based model, DataLoader, validation."""

import torch
import torch.nn.functional as F
from torch import nn
from torch.utils.data import DataLoader, TensorDataset

import trainlab

torch.set_num_threads(1)
torch.manual_seed(1)


class MLP(nn.Module):
    def __init__(self):
        super().__init__()
        self.layers = nn.ModuleList([nn.Linear(40, 64), nn.Linear(64, 64)])
        self.head = nn.Linear(64, 10)

    def forward(self, x):
        for layer in self.layers:
            x = F.relu(layer(x))
        return self.head(x)


data = trainlab.load_mnist1d()
loader = DataLoader(
    TensorDataset(data.x_train[:2000], data.y_train[:2000]), batch_size=64, shuffle=True
)
model = MLP()
optimizer = torch.optim.Adam(model.parameters(), lr=0.5)
for epoch in range(4):
    for xb, yb in loader:
        optimizer.zero_grad()
        F.cross_entropy(model(xb), yb).backward()
        optimizer.step()
    model.eval()
    with torch.no_grad():
        val = F.cross_entropy(model(data.x_test[:500]), data.y_test[:500])
    model.train()
    print(f"epoch {epoch}: validation loss {val.item():.3f}")
