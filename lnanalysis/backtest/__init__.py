"""Rolling-origin panel backtest and its report."""
