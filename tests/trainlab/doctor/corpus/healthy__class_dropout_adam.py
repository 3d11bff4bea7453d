"""Healthy: a class-based MLP with dropout, Adam, a DataLoader, model.eval() for validation."""

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
        self.fc1 = nn.Linear(40, 128)
        self.fc2 = nn.Linear(128, 128)
        self.out = nn.Linear(128, 10)
        self.drop = nn.Dropout(0.2)

    def forward(self, x):
        x = self.drop(F.relu(self.fc1(x)))
        x = self.drop(F.relu(self.fc2(x)))
        return self.out(x)


def main():
    data = trainlab.load_mnist1d()
    train = DataLoader(
        TensorDataset(data.x_train[:2000], data.y_train[:2000]), batch_size=64, shuffle=True
    )
    model = Net()
    opt = torch.optim.Adam(model.parameters(), lr=2e-3)
    for epoch in range(6):
        model.train()
        for xb, yb in train:
            loss = F.cross_entropy(model(xb), yb)
            opt.zero_grad()
            loss.backward()
            opt.step()
        model.eval()
        with torch.no_grad():
            logits = model(data.x_test[:500])
            val = F.cross_entropy(logits, data.y_test[:500])
            acc = (logits.argmax(1) == data.y_test[:500]).float().mean()
        print(f"epoch {epoch}: validation loss {val:.3f}, accuracy {acc:.1%}")


if __name__ == "__main__":
    main()
