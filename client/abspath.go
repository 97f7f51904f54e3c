package client

// AbsPath returns the absolute OS/2 path (`C:\DIR\NAME.INI`, drive letter
// upper case, components as given) that name denotes when resolved against
// the session's current directory by the rules of spec §5, or "" when the
// client cannot tell (the current directory is unknown after a C that
// the server accepted against the rules of package os2path, until the next
// C with a drive letter), or name does not denote a file: empty, ".",
// "..", a drive's root, a path at the root pseudo-directory, a component
// with NUL. It sends nothing. The batch runner uses it to key
// backups by absolute path.
func (s *Session) AbsPath(name string) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	if !s.st.cwdOK {
		return ""
	}
	return fileAbs(s.st.cwd, name)
}

// Cwd returns the session's current directory as the client tracks it by
// the rules of spec §5, without sending anything: an OS/2 path ending in a
// separator (`C:\MPTN\ETC\`, drive letter upper case), or "" for the root
// pseudo-directory of drives, where a session starts (spec §2). known is
// false when the client cannot tell (see AbsPath); dir is then "".
func (s *Session) Cwd() (dir string, known bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if !s.st.cwdOK {
		return "", false
	}
	return s.st.cwd.String(), true
}
