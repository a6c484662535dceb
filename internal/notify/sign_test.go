package notify

import "testing"

// TestSignSpecVector: the example of the Standard Webhooks specification
// (and its reference libraries' tests): whsec_ secret, id, timestamp and
// payload give this signature.
func TestSignSpecVector(t *testing.T) {
	key, err := SecretKey("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw")
	if err != nil {
		t.Fatal(err)
	}
	got := Sign(key, "msg_p5jXN8AQM9LWM0D4loKWxJek", 1614265330, []byte(`{"test": 2432232314}`))
	if want := "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE="; got != want {
		t.Fatalf("signature %s, want %s", got, want)
	}
	if _, err := SecretKey("whsec_%%%"); err == nil {
		t.Fatal("a whsec_ secret that is not base64 was accepted")
	}
	if k, _ := SecretKey("plain"); string(k) != "plain" {
		t.Fatalf("plain secret key %q", k)
	}
}
