"""The `portal` realm: a Keycloak 26 realm export generated from the demo region."""
