"""Broken (eval_mode_missing): predictions with a batch-norm model left in training mode, and
without torch.no_grad() (class-based, Adam, DataLoader)."""

import torch
import torch.nn.functional as F
from torch import nn
from torch.utils.data import DataLoader, TensorDataset

import trainlab

torch.set_num_threads(1)
torch.manual_seed(1)


class BNNet(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc1, self.bn1 = nn.Linear(40, 64), nn.BatchNorm1d(64)
        self.fc2 = nn.Linear(64, 10)

    def forward(self, x):
        return self.fc2(F.relu(self.bn1(self.fc1(x))))


def accuracy(model, x, y):
    return (model(x).argmax(dim=1) == y).float().mean().item()


data = trainlab.load_mnist1d()
loader = DataLoader(
    TensorDataset(data.x_train[:2000], data.y_train[:2000]), batch_size=64, shuffle=True
)
model = BNNet()
opt = torch.optim.Adam(model.parameters(), lr=3e-3)
for epoch in range(3):
    for xb, yb in loader:
        opt.zero_grad()
        F.cross_entropy(model(xb), yb).backward()
        opt.step()
    print(
        f"epoch {epoch}: test accuracy {accuracy(model, data.x_test[:500], data.y_test[:500]):.1%}"
    )
