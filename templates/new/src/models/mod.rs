//! Models: the app's data and how it is stored, one module per model (`tspawn model TABLE`).

// tspawn:modules (generated modules go above this line)
