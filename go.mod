module github.com/inilua/inilua

go 1.26
