"""Run at start-up by Python processes the tests launch: block the network (offline_network)."""

import offline_network

offline_network.block()
