// Vector storage and search (see issue «Vector index»).
