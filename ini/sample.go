package ini

// Sample returns a new, realistic profile for demonstrations and tests: the
// INIServe server settings and a small mail server's configuration, with
// every kind of value the TNI writer distinguishes (spec §4.2). Each call
// builds a fresh File, so callers may modify it. Contents, in this order:
//
//	$SYS       ServerPort  u32 3560, TimeOut u32 900, Password  string0 "secret"
//	MailServer MailRoot    string0 `C:\MPTN\ETC\MAIL\`
//	           Banner      string of 90 bytes with both quote kinds (written
//	                       as a continued TNI string)
//	           Domains     strings "example.com", "mail.example.org"
//	           Ports       (2) numbers 25 110 143
//	           MaxUsers    u32 250
//	           LogLevel    u8 2
//	           Flags       u16 0x0105
//	           Key         hex (32 binary bytes, 0x00..0xFF mixed)
//	           Empty       zero-length value
//	user1      Password    string0 "pa55word"
//	           Forward     strings "user1@example.net"
//	           Quota       u32 10485760 (bytes)
//	           FullName    string "Jo Bloggs" (no NUL; spaces make TNI quote it)
//	           Note        string with code page 850 bytes (TNI writes it as hex)
func Sample() *File {
	f := New()
	put := func(app, key string, v []byte) {
		if err := f.Put([]byte(app), []byte(key), v); err != nil {
			panic("ini.Sample: " + err.Error()) // names are constants
		}
	}
	must := func(v []byte, err error) []byte {
		if err != nil {
			panic("ini.Sample: " + err.Error()) // values are constants
		}
		return v
	}
	put("$SYS", "ServerPort", must(EncodeU32(3560)))
	put("$SYS", "TimeOut", must(EncodeU32(900)))
	put("$SYS", "Password", must(EncodeString0([]byte("secret"))))

	const mail = "MailServer"
	put(mail, "MailRoot", must(EncodeString0([]byte(`C:\MPTN\ETC\MAIL\`))))
	put(mail, "Banner", must(encodeString([]byte(`Welcome to "Example Mail" -- it's a test server; `+
		`please don't send anything important here`))))
	put(mail, "Domains", must(EncodeStrings([][]byte{[]byte("example.com"), []byte("mail.example.org")})))
	put(mail, "Ports", must(encodeNumbers([]uint64{25, 110, 143}, 2)))
	put(mail, "MaxUsers", must(EncodeU32(250)))
	put(mail, "LogLevel", must(EncodeU8(2)))
	put(mail, "Flags", must(encodeU16(0x0105)))
	put(mail, "Key", must(encodeHex("00FF10203A7F80E9C4B2051D6E9AA1F0"+
		"0D0A1A2B3C4D5E6F708192A3B4C5D6E7")))
	put(mail, "Empty", []byte{})

	put("user1", "Password", must(EncodeString0([]byte("pa55word"))))
	put("user1", "Forward", must(EncodeStrings([][]byte{[]byte("user1@example.net")})))
	put("user1", "Quota", must(EncodeU32(10<<20)))
	put("user1", "FullName", must(encodeString([]byte("Jo Bloggs"))))
	put("user1", "Note", must(encodeString([]byte("Gr\x81\xe1e aus M\x81nchen")))) // CP850 ü, ß
	return f
}
