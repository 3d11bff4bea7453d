"""Healthy: three Gaussian blobs, a class-based MLP, RMSprop, functional loss, no validation."""

import torch
import torch.nn.functional as F
from torch import nn

torch.set_num_threads(1)
torch.manual_seed(4)
centres = torch.tensor([[2.0, 0.0], [-1.0, 1.7], [-1.0, -1.7]])
y = torch.randint(0, 3, (1500,))
x = centres[y] + 0.6 * torch.randn(1500, 2)


class Classifier(nn.Module):
    def __init__(self, hidden=32):
        super().__init__()
        self.hidden = nn.Linear(2, hidden)
        self.head = nn.Linear(hidden, 3)

    def forward(self, x):
        return self.head(torch.relu(self.hidden(x)))


model = Classifier()
opt = torch.optim.RMSprop(model.parameters(), lr=1e-3)
for epoch in range(5):
    perm = torch.randperm(len(x))
    for i in range(0, len(x), 30):
        idx = perm[i : i + 30]
        logits = model(x[idx])
        loss = F.cross_entropy(logits, y[idx])
        opt.zero_grad()
        loss.backward()
        opt.step()
    print(f"epoch {epoch}: loss {loss.item():.3f}")
