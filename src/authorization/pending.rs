//! (to be written: see the module list in `authorization`)
