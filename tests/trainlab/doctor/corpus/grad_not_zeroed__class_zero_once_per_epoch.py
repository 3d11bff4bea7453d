"""Broken (grad_not_zeroed): model.zero_grad() once per epoch instead of once per step
(class-based model, Adam, DataLoader)."""

import torch
import torch.nn.functional as F
from torch import nn
from torch.utils.data import DataLoader, TensorDataset

import trainlab

torch.set_num_threads(1)
torch.manual_seed(1)


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.a, self.b = nn.Linear(40, 64), nn.Linear(64, 10)

    def forward(self, x):
        return self.b(F.relu(self.a(x)))


data = trainlab.load_mnist1d()
loader = DataLoader(
    TensorDataset(data.x_train[:2000], data.y_train[:2000]), batch_size=64, shuffle=True
)
model = Net()
opt = torch.optim.Adam(model.parameters(), lr=1e-3)
for epoch in range(3):
    model.zero_grad()
    for xb, yb in loader:
        loss = F.cross_entropy(model(xb), yb)
        loss.backward()
        opt.step()
    print(f"epoch {epoch}: loss {loss.item():.3f}")
