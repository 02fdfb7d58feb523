package remind

// Starting returns how many requests of h wait to start a chain.
func (h *Handler) Starting() int {
	h.mu.Lock()
	defer h.mu.Unlock()
	return len(h.starting)
}
