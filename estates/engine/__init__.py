"""The engine: capacity, demand, allocation of new patients, misplaced capacity, per-site impacts,
and ``evaluate``, which ties them into one Result. Pure functions on a Region and its Growth."""
