"""Steps 4-6: facts, rules compiled to experta, the matcher, the run and its trace. The only package that imports experta."""
