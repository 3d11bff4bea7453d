"""Broken (labels_shuffled): a custom Dataset returns the label of the next example (an
off-by-one), class-based model, Adam, DataLoader, no validation."""

import torch
import torch.nn.functional as F
from torch import nn
from torch.utils.data import DataLoader, Dataset

import trainlab

torch.set_num_threads(1)
torch.manual_seed(1)


class Signals(Dataset):
    def __init__(self, x, y):
        self.x, self.y = x, y

    def __len__(self):
        return len(self.x)

    def __getitem__(self, i):
        return self.x[i], self.y[(i + 1) % len(self.y)]


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc1, self.fc2 = nn.Linear(40, 64), nn.Linear(64, 10)

    def forward(self, x):
        return self.fc2(F.relu(self.fc1(x)))


data = trainlab.load_mnist1d()
loader = DataLoader(Signals(data.x_train[:1500], data.y_train[:1500]), batch_size=50, shuffle=True)
model = Net()
opt = torch.optim.Adam(model.parameters(), lr=1e-3)
for epoch in range(3):
    for xb, yb in loader:
        opt.zero_grad()
        loss = F.cross_entropy(model(xb), yb)
        loss.backward()
        opt.step()
    print(f"epoch {epoch}: loss {loss.item():.3f}")
