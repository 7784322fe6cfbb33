"""The exhibit screen, server side: what it shows, and the routes and stream that feed it."""
