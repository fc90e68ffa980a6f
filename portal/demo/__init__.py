"""The demo region: a fixed core (named organisations, officers and staff that the realm
file's demo users refer to) plus generated bulk data (`portal seed`)."""
