package model

import (
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
)

// TestExceptionKindsIsComplete reads every Go file of the module: each
// constant of type ExceptionKind, wherever it is declared, is in
// ExceptionKinds, which the CLI and the admin API check filters against.
// A new kind missing from the list would be refused as unknown.
func TestExceptionKindsIsComplete(t *testing.T) {
	root := filepath.Join("..", "..")
	found := 0
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && (d.Name() == ".git" || d.Name() == "bench" || d.Name() == "testdata") {
			return filepath.SkipDir
		}
		if d.IsDir() || !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
			return nil
		}
		f, err := parser.ParseFile(token.NewFileSet(), path, nil, 0)
		if err != nil {
			return err
		}
		ast.Inspect(f, func(n ast.Node) bool {
			vs, ok := n.(*ast.ValueSpec)
			if !ok || !isKindType(vs.Type) {
				return true
			}
			for i, v := range vs.Values {
				lit, ok := v.(*ast.BasicLit)
				if !ok || lit.Kind != token.STRING {
					continue
				}
				kind, _ := strconv.Unquote(lit.Value)
				found++
				if !slices.Contains(ExceptionKinds, ExceptionKind(kind)) {
					t.Errorf("%s: %s = %q is not in model.ExceptionKinds", path, vs.Names[i], kind)
				}
			}
			return true
		})
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if found < len(ExceptionKinds) {
		t.Errorf("found %d ExceptionKind constants, fewer than the %d listed", found, len(ExceptionKinds))
	}
}

func isKindType(e ast.Expr) bool {
	switch x := e.(type) {
	case *ast.Ident:
		return x.Name == "ExceptionKind"
	case *ast.SelectorExpr:
		return x.Sel.Name == "ExceptionKind"
	}
	return false
}
