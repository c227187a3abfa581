"""How each part is packaged and deployed, and the rxp commands."""
