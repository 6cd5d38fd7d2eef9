"""Plain building blocks every feature shares, with no Flask in them: the vocabulary of codes and labels, the
errors a person can fix, Việt Nam time, text folding and GPS distances."""
