"""Complexity scoring for cost routing: how hard is a request, and which tier should answer it."""

from gateway.routing.complexity.scorer import Complexity, ComplexityScorer, Tier, Weights

__all__ = ["Complexity", "ComplexityScorer", "Tier", "Weights"]
