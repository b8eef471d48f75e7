"""Pure rules: the engine, answer coercion, dates, text folding."""
