//! Controllers: handlers for HTTP requests, one module per controller
//! (`tspawn controller NAME ACTION...`).

// tspawn:modules (generated modules go above this line)
