"""Healthy: a 1-D CNN with batch norm, AdamW, DataLoader, model.eval() / model.train()."""

import torch
from torch import nn
from torch.utils.data import DataLoader, TensorDataset

import trainlab

torch.set_num_threads(1)
torch.manual_seed(2)
data = trainlab.load_mnist1d()
loader = DataLoader(
    TensorDataset(data.x_train[:1500].unsqueeze(1), data.y_train[:1500]),
    batch_size=50,
    shuffle=True,
)
model = nn.Sequential(
    nn.Conv1d(1, 16, 5, padding=2),
    nn.BatchNorm1d(16),
    nn.ReLU(),
    nn.Conv1d(16, 16, 5, padding=2),
    nn.BatchNorm1d(16),
    nn.ReLU(),
    nn.Flatten(),
    nn.Linear(16 * 40, 10),
)
opt = torch.optim.AdamW(model.parameters(), lr=3e-3, weight_decay=1e-2)
criterion = nn.CrossEntropyLoss()
for epoch in range(4):
    model.train()
    for xb, yb in loader:
        opt.zero_grad()
        criterion(model(xb), yb).backward()
        opt.step()
    model.eval()
    with torch.no_grad():
        out = model(data.x_test[:500].unsqueeze(1))
        print(f"epoch {epoch}: validation loss {criterion(out, data.y_test[:500]).item():.3f}")
