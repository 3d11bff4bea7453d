"""Broken (unshuffled_data): a DataLoader over class-sorted data with shuffle=False
(class-based, Adam, validation)."""

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
        self.fc1, self.fc2 = nn.Linear(40, 64), nn.Linear(64, 10)

    def forward(self, x):
        return self.fc2(F.relu(self.fc1(x)))


data = trainlab.load_mnist1d()
order = torch.sort(data.y_train[:2000], stable=True).indices
dataset = TensorDataset(data.x_train[:2000][order], data.y_train[:2000][order])
loader = DataLoader(dataset, batch_size=64, shuffle=False)
model = Net()
opt = torch.optim.Adam(model.parameters(), lr=1e-3)
for epoch in range(3):
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
