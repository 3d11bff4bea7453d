"""Broken (exploding_gradients): a deep class-based Linear-BatchNorm-ReLU stack; batch norm
keeps the forward normalized while the gradient grows on its way back (Yang et al., 2019)."""

import torch
import torch.nn.functional as F
from torch import nn
from torch.utils.data import DataLoader, TensorDataset

import trainlab

torch.set_num_threads(1)
torch.manual_seed(3)


class Block(nn.Module):
    def __init__(self, width):
        super().__init__()
        self.linear = nn.Linear(width, width, bias=False)
        self.norm = nn.BatchNorm1d(width)

    def forward(self, x):
        return F.relu(self.norm(self.linear(x)))


class DeepBN(nn.Module):
    def __init__(self, depth=40, width=32):
        super().__init__()
        self.stem = nn.Linear(40, width)
        self.blocks = nn.Sequential(*[Block(width) for _ in range(depth)])
        self.head = nn.Linear(width, 10)

    def forward(self, x):
        return self.head(self.blocks(self.stem(x)))


data = trainlab.load_mnist1d()
loader = DataLoader(
    TensorDataset(data.x_train[:800], data.y_train[:800]), batch_size=64, shuffle=True
)
model = DeepBN()
opt = torch.optim.Adam(model.parameters(), lr=1e-3)
for epoch in range(2):
    for xb, yb in loader:
        opt.zero_grad()
        loss = F.cross_entropy(model(xb), yb)
        loss.backward()
        opt.step()
    print(f"epoch {epoch}: loss {loss.item():.3f}")
