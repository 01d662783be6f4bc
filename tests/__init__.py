"""stepgrad's tests, laid out like the source tree (a package, so that same-named files in
different folders do not clash)."""
