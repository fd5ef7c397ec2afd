"""Speed of the optimizer core against torch.optim and a plain loop, measured in one run."""
