"""Broken (underfitting): a class-based net squeezed through 2 hidden units (Adam, DataLoader)."""

import torch
import torch.nn.functional as F
from torch import nn
from torch.utils.data import DataLoader, TensorDataset

import trainlab

torch.set_num_threads(1)
torch.manual_seed(1)


class Bottleneck(nn.Module):
    def __init__(self):
        super().__init__()
        self.enc, self.dec = nn.Linear(40, 2), nn.Linear(2, 10)

    def forward(self, x):
        return self.dec(F.relu(self.enc(x)))


data = trainlab.load_mnist1d()
loader = DataLoader(
    TensorDataset(data.x_train[:2000], data.y_train[:2000]), batch_size=50, shuffle=True
)
model = Bottleneck()
opt = torch.optim.Adam(model.parameters(), lr=1e-2)
for epoch in range(6):
    model.train()
    for xb, yb in loader:
        opt.zero_grad()
        F.cross_entropy(model(xb), yb).backward()
        opt.step()
    model.eval()
    with torch.no_grad():
        print(
            f"epoch {epoch}: val {F.cross_entropy(model(data.x_test[:500]), data.y_test[:500]):.3f}"
        )
