//! The app's URL map. `tspawn` generators add their routes above the marker line below; edit
//! freely around it. Any path no route matches is served from public/.

use tspawn_runtime::prelude::*;

/// Every route of the app.
pub fn routes() -> Router<AppState> {
    Router::new()
    // tspawn:routes (generated routes go above this line)
}
