from optimizer.cli import entry

entry()
