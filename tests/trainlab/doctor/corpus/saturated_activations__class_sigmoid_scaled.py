"""Broken (saturated_activations): a class-based sigmoid net whose pre-activations are scaled
up by a constant 8 (a "temperature" typo), Adam, DataLoader."""

import torch
from torch import nn
from torch.utils.data import DataLoader, TensorDataset

import trainlab

torch.set_num_threads(1)
torch.manual_seed(2)


class SigmoidNet(nn.Module):
    def __init__(self, scale=8.0):
        super().__init__()
        self.scale = scale
        self.hidden = nn.Linear(40, 64)
        self.hidden2 = nn.Linear(64, 64)
        self.out = nn.Linear(64, 10)

    def forward(self, x):
        h = torch.sigmoid(self.scale * self.hidden(x))
        h = torch.sigmoid(self.scale * self.hidden2(h))
        return self.out(h)


data = trainlab.load_mnist1d()
loader = DataLoader(
    TensorDataset(data.x_train[:2000], data.y_train[:2000]), batch_size=50, shuffle=True
)
model = SigmoidNet()
opt = torch.optim.Adam(model.parameters(), lr=1e-3)
criterion = nn.CrossEntropyLoss()
for epoch in range(3):
    for xb, yb in loader:
        opt.zero_grad()
        loss = criterion(model(xb), yb)
        loss.backward()
        opt.step()
    print(f"epoch {epoch}: loss {loss.item():.3f}")
