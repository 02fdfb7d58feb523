package postgres_test

import (
	"context"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"github.com/taskwire/taskwire/shared/postgres"
	"github.com/taskwire/taskwire/shared/postgres/postgrestest"
	"github.com/taskwire/taskwire/shared/taskwire"
)

// MustStartConversation starts a conversation of ctx's user with first as its first message.
func MustStartConversation(tb testing.TB, ctx context.Context, svc *postgres.ConversationService, first string) *taskwire.Conversation {
	tb.Helper()
	c, _, err := svc.StartConversation(ctx, first, 0)
	require.NoError(tb, err)
	_, err = svc.AppendMessages(ctx, c.ID, taskwire.Message{Role: taskwire.RoleUser, Content: first})
	require.NoError(tb, err)
	return c
}

func TestConversationService_Messages(t *testing.T) {
	db := postgrestest.MustOpenDB(t)
	svc := postgres.NewConversationService(db)
	svc.Now = fixedClock(t0)
	ctx, user := MustNewUser(t, db)

	c := MustStartConversation(t, ctx, svc, "  add a task to buy groceries\nand milk")
	assert.Equal(t, "add a task to buy groceries", c.Title)
	calls := []taskwire.ToolCall{{ID: "call_1", Name: "add_task", Arguments: `{"title":"Buy groceries"}`}}
	appended, err := svc.AppendMessages(ctx, c.ID,
		taskwire.Message{Role: taskwire.RoleAssistant, ToolCalls: calls},
		taskwire.Message{Role: taskwire.RoleTool, ToolCallID: "call_1", Content: `{"number":1}`},
		taskwire.Message{Role: taskwire.RoleAssistant, Content: "Added task 1."},
	)
	require.NoError(t, err)
	require.Len(t, appended, 3)
	assert.Less(t, appended[0].ID, appended[1].ID)
	assert.Less(t, appended[1].ID, appended[2].ID)

	t.Run("OK", func(t *testing.T) {
		got, msgs, _, err := svc.FindMessages(ctx, c.ID, 100, 0)
		require.NoError(t, err)
		assert.Equal(t, c.ID, got.ID)
		require.Len(t, msgs, 4)
		assert.Equal(t, taskwire.RoleUser, msgs[0].Role)
		assert.Equal(t, "  add a task to buy groceries\nand milk", msgs[0].Content, "a message is kept as written")
		assert.Equal(t, calls, msgs[1].ToolCalls)
		assert.Equal(t, "call_1", msgs[2].ToolCallID)
		assert.Equal(t, `{"number":1}`, msgs[2].Content)
		assert.Equal(t, "Added task 1.", msgs[3].Content)
		assert.Equal(t, t0.Truncate(1000), msgs[3].CreatedAt.UTC())
	})

	t.Run("LatestOnly", func(t *testing.T) {
		_, msgs, _, err := svc.FindMessages(ctx, c.ID, 2, 0)
		require.NoError(t, err)
		require.Len(t, msgs, 2)
		assert.Equal(t, taskwire.RoleTool, msgs[0].Role, "got %s, want the latest two in order", msgs[0].Role)
		assert.Equal(t, "Added task 1.", msgs[1].Content)
	})

	t.Run("Empty", func(t *testing.T) {
		empty, _, err := svc.StartConversation(ctx, "", 0)
		require.NoError(t, err)
		got, msgs, _, err := svc.FindMessages(ctx, empty.ID, 10, 0)
		require.NoError(t, err)
		assert.Equal(t, empty.ID, got.ID)
		assert.Empty(t, msgs)
	})

	t.Run("RLS", func(t *testing.T) {
		assert.Equal(t, 4, scopedCount(t, db, user, "messages"))
		assert.Equal(t, 0, scopedCount(t, db, "someone-else", "messages"))
		assert.Equal(t, 0, scopedCount(t, db, "someone-else", "conversations"))
	})
}

func TestConversationService_OtherUser(t *testing.T) {
	db := postgrestest.MustOpenDB(t)
	svc := postgres.NewConversationService(db)
	alice, _ := MustNewUser(t, db)
	bob, _ := MustNewUser(t, db)
	c := MustStartConversation(t, alice, svc, "private")

	_, _, _, err := svc.FindMessages(bob, c.ID, 10, 0)
	assert.Equal(t, taskwire.ENOTFOUND, taskwire.ErrorCode(err), "got %v, want not found", err)
	_, err = svc.AppendMessages(bob, c.ID, taskwire.Message{Role: taskwire.RoleUser, Content: "let me in"})
	assert.Equal(t, taskwire.ENOTFOUND, taskwire.ErrorCode(err), "got %v, want not found", err)
	err = svc.DeleteConversation(bob, c.ID)
	assert.Equal(t, taskwire.ENOTFOUND, taskwire.ErrorCode(err), "got %v, want not found", err)
	list, _, err := svc.FindConversations(bob, 10, nil)
	require.NoError(t, err)
	assert.Empty(t, list)

	_, msgs, _, err := svc.FindMessages(alice, c.ID, 10, 0)
	require.NoError(t, err)
	require.Len(t, msgs, 1, "got %d messages, want bob's append refused", len(msgs))
	assert.Equal(t, "private", msgs[0].Content)
	_, err = svc.AppendMessages(alice, uuid.New(), taskwire.Message{Role: taskwire.RoleUser, Content: "x"})
	assert.Equal(t, taskwire.ENOTFOUND, taskwire.ErrorCode(err))
}

func TestConversationService_ListAndDelete(t *testing.T) {
	db := postgrestest.MustOpenDB(t)
	svc := postgres.NewConversationService(db)
	ctx, _ := MustNewUser(t, db)
	first := MustStartConversation(t, ctx, svc, "first")
	second := MustStartConversation(t, ctx, svc, strings.Repeat("long ", 40))
	assert.Equal(t, taskwire.MaxConversationTitle, len([]rune(second.Title)))
	assert.True(t, strings.HasSuffix(second.Title, "…"))

	list, _, err := svc.FindConversations(ctx, 10, nil)
	require.NoError(t, err)
	require.Len(t, list, 2)
	assert.Equal(t, second.ID, list[0].ID, "the latest active first")
	_, err = svc.AppendMessages(ctx, first.ID, taskwire.Message{Role: taskwire.RoleAssistant, Content: "hi"})
	require.NoError(t, err)
	list, _, err = svc.FindConversations(ctx, 10, nil)
	require.NoError(t, err)
	assert.Equal(t, first.ID, list[0].ID, "a new message moves its conversation first")

	_, _, err = svc.FindConversations(ctx, 0, nil)
	assert.Equal(t, taskwire.EINVALID, taskwire.ErrorCode(err))

	require.NoError(t, svc.DeleteConversation(ctx, first.ID))
	_, _, _, err = svc.FindMessages(ctx, first.ID, 10, 0)
	assert.Equal(t, taskwire.ENOTFOUND, taskwire.ErrorCode(err))
	var n int
	require.NoError(t, db.Pool.QueryRow(context.Background(), `SELECT count(*) FROM messages WHERE conversation_id = $1`, first.ID).Scan(&n))
	assert.Equal(t, 0, n, "got %d messages left, want them deleted with their conversation", n)
	err = svc.DeleteConversation(ctx, first.ID)
	assert.Equal(t, taskwire.ENOTFOUND, taskwire.ErrorCode(err))
}

// Of answers claiming a conversation at once, exactly one holds it, and reads its
// history; another user's claim is not found; the hold ends with the answer's last
// messages (FinishAnswer) or a release, only for the hold taken; a hold that lapsed may
// be taken again, and a conversation started with a hold is held.
func TestConversationService_Claim(t *testing.T) {
	db := postgrestest.MustOpenDB(t)
	svc := postgres.NewConversationService(db)
	ctx, _ := MustNewUser(t, db)
	bob, _ := MustNewUser(t, db)
	c := MustStartConversation(t, ctx, svc, "hello")

	const n = 8
	type claim struct {
		until   time.Time
		history []*taskwire.Message
		err     error
	}
	claims := make(chan claim, n)
	var wg sync.WaitGroup
	for range n {
		wg.Go(func() {
			until, history, err := svc.ClaimConversation(ctx, c.ID, time.Minute, 10)
			claims <- claim{until, history, err}
		})
	}
	wg.Wait()
	close(claims)
	var held claim
	won := 0
	for cl := range claims {
		if cl.err == nil {
			held = cl
			won++
			continue
		}
		assert.Equal(t, taskwire.ECONFLICT, taskwire.ErrorCode(cl.err), "got %v", cl.err)
		assert.Equal(t, "conversation_id", taskwire.ErrorField(cl.err))
	}
	require.Equal(t, 1, won, "exactly one answer holds the conversation")
	require.Len(t, held.history, 1)
	assert.Equal(t, "hello", held.history[0].Content)

	_, _, err := svc.ClaimConversation(bob, c.ID, time.Minute, 10)
	assert.Equal(t, taskwire.ENOTFOUND, taskwire.ErrorCode(err))
	require.NoError(t, svc.ReleaseConversation(bob, c.ID, held.until), "another user's release changes nothing")
	require.NoError(t, svc.ReleaseConversation(ctx, c.ID, held.until.Add(time.Second)), "not the hold taken: changes nothing")
	_, _, err = svc.ClaimConversation(ctx, c.ID, time.Minute, 10)
	assert.Equal(t, taskwire.ECONFLICT, taskwire.ErrorCode(err))

	require.NoError(t, svc.FinishAnswer(ctx, c.ID, held.until, taskwire.Message{Role: taskwire.RoleAssistant, Content: "hi"}))
	until, history, err := svc.ClaimConversation(ctx, c.ID, time.Minute, 10)
	require.NoError(t, err, "the answer's last messages ended its hold")
	assert.Equal(t, "user assistant", rolesOf(history), "the next answer reads the last one's reply")
	require.NoError(t, svc.ReleaseConversation(ctx, c.ID, until))

	_, _, err = svc.ClaimConversation(ctx, c.ID, -time.Second, 10) // a hold that lapsed already
	require.NoError(t, err)
	_, _, err = svc.ClaimConversation(ctx, c.ID, time.Minute, 10)
	require.NoError(t, err, "a lapsed hold is taken again")

	started, _, err := svc.StartConversation(ctx, "new", time.Minute)
	require.NoError(t, err)
	_, _, err = svc.ClaimConversation(ctx, started.ID, time.Minute, 10)
	assert.Equal(t, taskwire.ECONFLICT, taskwire.ErrorCode(err), "a conversation is held for its first answer")
}

// rolesOf returns the messages' roles, separated by spaces.
func rolesOf(msgs []*taskwire.Message) string {
	out := make([]string, len(msgs))
	for i, m := range msgs {
		out[i] = m.Role
	}
	return strings.Join(out, " ")
}

func TestConversationService_AdmitMessage(t *testing.T) {
	db := postgrestest.MustOpenDB(t)
	svc := postgres.NewConversationService(db)
	base := t0.Truncate(time.Microsecond) // as the database keeps it
	now := base
	svc.Now = func() time.Time { return now }
	ctx, _ := MustNewUser(t, db)
	bob, _ := MustNewUser(t, db)

	t.Run("ThreeADay", func(t *testing.T) {
		for i := range 3 {
			_, end, err := svc.AdmitMessage(ctx, 3)
			require.NoError(t, err, "message %d", i+1)
			assert.True(t, end.Equal(base.Add(postgres.AllowanceWindow)), "the window began with the first: %v", end)
			now = now.Add(time.Hour)
		}
		_, end, err := svc.AdmitMessage(ctx, 3)
		assert.Equal(t, taskwire.ETOOMANY, taskwire.ErrorCode(err), "the fourth in the day: %v", err)
		assert.Contains(t, taskwire.ErrorMessage(err), "3 messages")
		assert.True(t, end.Equal(base.Add(postgres.AllowanceWindow)), "said when the next is allowed: %v", end)
		_, _, err = svc.AdmitMessage(ctx, 3)
		assert.Equal(t, taskwire.ETOOMANY, taskwire.ErrorCode(err), "a refusal counts nothing, and refuses again")
		_, _, err = svc.AdmitMessage(bob, 3)
		assert.NoError(t, err, "another user's allowance is their own")
	})
	t.Run("ALargerAllowance", func(t *testing.T) {
		_, _, err := svc.AdmitMessage(ctx, 4)
		assert.NoError(t, err, "the fourth, once the allowance is four")
	})
	t.Run("TheNextWindow", func(t *testing.T) {
		now = base.Add(postgres.AllowanceWindow - time.Second)
		_, _, err := svc.AdmitMessage(ctx, 3)
		assert.Equal(t, taskwire.ETOOMANY, taskwire.ErrorCode(err), "a second before the window ends")
		now = base.Add(postgres.AllowanceWindow)
		_, end, err := svc.AdmitMessage(ctx, 3)
		require.NoError(t, err, "as the window ends")
		assert.True(t, end.Equal(now.Add(postgres.AllowanceWindow)), "a new window from this message: %v", end)
		for range 2 {
			_, _, err = svc.AdmitMessage(ctx, 3)
			require.NoError(t, err)
		}
		_, _, err = svc.AdmitMessage(ctx, 3)
		assert.Equal(t, taskwire.ETOOMANY, taskwire.ErrorCode(err), "three again in the new window")
	})
	t.Run("AtOnce", func(t *testing.T) {
		// A new user's messages sent together: exactly the allowance is counted, and each
		// refusal says when the window that counted the others ends.
		carol, _ := MustNewUser(t, db)
		const n, limit = 12, 5
		type answer struct {
			end time.Time
			err error
		}
		answers := make(chan answer, n)
		var wg sync.WaitGroup
		for range n {
			wg.Go(func() {
				_, end, err := svc.AdmitMessage(carol, limit)
				answers <- answer{end, err}
			})
		}
		wg.Wait()
		close(answers)
		allowed := 0
		for a := range answers {
			if a.err == nil {
				allowed++
			} else {
				assert.Equal(t, taskwire.ETOOMANY, taskwire.ErrorCode(a.err), "got %v", a.err)
			}
			assert.True(t, a.end.Equal(now.Add(postgres.AllowanceWindow)), "the window's end: %v", a.end)
		}
		assert.Equal(t, limit, allowed)
	})
	t.Run("TheZoneAndNoLimit", func(t *testing.T) {
		dave, id := MustNewUser(t, db)
		_, err := postgres.NewUserService(db).UpdateMe(dave, []byte(`{"time_zone": "Asia/Tokyo"}`))
		require.NoError(t, err)
		for range 3 {
			zone, end, err := svc.AdmitMessage(dave, 0)
			require.NoError(t, err)
			assert.Equal(t, "Asia/Tokyo", zone, "the zone for the prompt, in the same round trip")
			assert.True(t, end.IsZero(), "no window without a limit")
		}
		assert.Zero(t, countRows(t, db, `SELECT count(*) FROM assistant_allowance WHERE user_id = $1`, id), "nothing counted")
		zone, _, err := svc.AdmitMessage(dave, 1)
		require.NoError(t, err)
		assert.Equal(t, "Asia/Tokyo", zone)
		zone, _, err = svc.AdmitMessage(dave, 1)
		assert.Equal(t, taskwire.ETOOMANY, taskwire.ErrorCode(err))
		assert.Equal(t, "Asia/Tokyo", zone, "a refusal has the zone to say when in")
	})
	t.Run("ConversationsDeletedGiveNothingBack", func(t *testing.T) {
		c := MustStartConversation(t, ctx, svc, "hello")
		require.NoError(t, svc.DeleteConversation(ctx, c.ID))
		_, _, err := svc.AdmitMessage(ctx, 3)
		assert.Equal(t, taskwire.ETOOMANY, taskwire.ErrorCode(err))
	})
}
