"""Every write of the orders app, one module per area: `cart`, `shipping`, `checkout`,
`payments`. Import from the module (`from orders.services.checkout import checkout_place`)."""
