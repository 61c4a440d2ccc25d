"""The playbook policy: a planner writes scenarios before the open; the engine runs them."""
