"""Broken (exploding_gradients): 40 tanh layers with weights N(0, 2.5²/fan_in) (the chaotic
phase: the forward stays bounded, the backward grows by a constant factor per layer)."""

import torch
from torch import nn

import trainlab

torch.set_num_threads(1)
torch.manual_seed(0)
data = trainlab.load_mnist1d()
x, y = data.x_train[:1000], data.y_train[:1000]
layers = []
width = 40
for _ in range(40):
    linear = nn.Linear(width, 64)
    nn.init.normal_(linear.weight, std=2.5 / width**0.5)
    nn.init.zeros_(linear.bias)
    layers += [linear, nn.Tanh()]
    width = 64
model = nn.Sequential(*layers, nn.Linear(64, 10))
opt = torch.optim.SGD(model.parameters(), lr=0.01)
loss_fn = nn.CrossEntropyLoss()
for _ in range(40):
    idx = torch.randint(0, len(x), (50,))
    opt.zero_grad()
    loss = loss_fn(model(x[idx]), y[idx])
    loss.backward()
    opt.step()
print(f"final loss {loss.item():.3f}")
