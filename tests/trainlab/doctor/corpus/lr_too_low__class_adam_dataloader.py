"""Broken (lr_too_low): Adam at lr=1e-7, class-based model, DataLoader, validation."""

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
        self.fc1, self.fc2, self.fc3 = nn.Linear(40, 64), nn.Linear(64, 64), nn.Linear(64, 10)

    def forward(self, x):
        return self.fc3(F.relu(self.fc2(F.relu(self.fc1(x)))))


data = trainlab.load_mnist1d()
loader = DataLoader(
    TensorDataset(data.x_train[:2000], data.y_train[:2000]), batch_size=32, shuffle=True
)
net = Net()
opt = torch.optim.Adam(net.parameters(), lr=1e-7)
for epoch in range(3):
    net.train()
    for xb, yb in loader:
        opt.zero_grad()
        F.cross_entropy(net(xb), yb).backward()
        opt.step()
    net.eval()
    with torch.no_grad():
        val = F.cross_entropy(net(data.x_test[:500]), data.y_test[:500])
    print(f"epoch {epoch}: val {val.item():.4f}")
