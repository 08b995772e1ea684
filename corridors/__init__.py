"""corridors: freight-corridor map and route-cost engine for Central Asia and the Caspian."""
