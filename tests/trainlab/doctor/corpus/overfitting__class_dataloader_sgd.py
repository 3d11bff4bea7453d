"""Broken (overfitting): a class-based MLP, SGD with momentum, 60 epochs over 200 examples."""

import torch
import torch.nn.functional as F
from torch import nn
from torch.utils.data import DataLoader, TensorDataset

import trainlab

torch.set_num_threads(1)
torch.manual_seed(1)


class Wide(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc1, self.fc2, self.fc3 = nn.Linear(40, 200), nn.Linear(200, 200), nn.Linear(200, 10)

    def forward(self, x):
        return self.fc3(F.relu(self.fc2(F.relu(self.fc1(x)))))


data = trainlab.load_mnist1d()
train = DataLoader(
    TensorDataset(data.x_train[:200], data.y_train[:200]), batch_size=50, shuffle=True
)
val = DataLoader(TensorDataset(data.x_test[:500], data.y_test[:500]), batch_size=250)
model = Wide()
opt = torch.optim.SGD(model.parameters(), lr=0.05, momentum=0.9)
for epoch in range(60):
    model.train()
    for xb, yb in train:
        opt.zero_grad()
        F.cross_entropy(model(xb), yb).backward()
        opt.step()
    model.eval()
    with torch.no_grad():
        total = sum(F.cross_entropy(model(xb), yb, reduction="sum").item() for xb, yb in val)
    if epoch % 10 == 9:
        print(f"epoch {epoch}: validation loss {total / 500:.3f}")
