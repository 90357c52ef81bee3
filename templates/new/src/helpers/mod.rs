//! Helpers: functions that controllers, endpoints and views share (`tspawn helper NAME`).

// tspawn:modules (generated modules go above this line)
